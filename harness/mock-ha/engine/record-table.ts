/**
 * Fixed-width record table with bounded memory: the storage of the ledger (engine/ledger.ts) and
 * of the per-connection delivery records (server/deliveries.ts).
 *
 * One record is 48 bytes: two float64 times, one uint32 reference and an ASCII id of up to 27
 * characters (a context id: a 26-character ULID) kept as bytes, not as a JS string, so a million
 * entries are ~46 MB of typed arrays the garbage collector never walks instead of a million heap
 * strings it marks on every major collection. Ids that do not fit (longer, non-ASCII) go to a
 * side map, so any id round-trips.
 *
 * Records live in chunks of `chunkRecords`. Only the newest `residentChunks` chunks stay in
 * memory; older ones are written to a spill file and read back on demand (one chunk cached), so
 * the memory of a table is bounded whatever the run's length and rate. The spill file is
 * unlinked as soon as it is opened: it disappears with its descriptor, also after a SIGKILL.
 * dispose() closes it at once; a table dropped without dispose() is closed when collected.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RECORD_BYTES = 48;
const F64_PER_RECORD = RECORD_BYTES / 8;
const U32_PER_RECORD = RECORD_BYTES / 4;
/** Offset of the uint32 reference (in uint32 units within a record). */
const REF_U32 = 4;
/** Byte offsets of the id's length and bytes within a record. */
const ID_LEN = 20;
const ID_AT = 21;
export const MAX_INLINE_ID = RECORD_BYTES - ID_AT;
/** Length byte of an id kept in the side map. */
const ID_OVERFLOW = 255;

interface Chunk {
  bytes: Buffer;
  f64: Float64Array;
  u32: Uint32Array;
}

const newChunk = (records: number): Chunk => {
  const ab = new ArrayBuffer(records * RECORD_BYTES);
  return { bytes: Buffer.from(ab), f64: new Float64Array(ab), u32: new Uint32Array(ab) };
};

const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

let spillSeq = 0;

export interface RecordTableOptions {
  /** Records per chunk (a power of two; default 16384 = 768 KiB). */
  chunkRecords?: number;
  /** Newest chunks kept in memory (default 8); older ones are spilled to a file. */
  residentChunks?: number;
  /** Directory of the spill file (default os.tmpdir()). */
  spillDir?: string;
}

export class RecordTable {
  readonly #shift: number;
  readonly #mask: number;
  readonly #chunkRecords: number;
  readonly #resident: number;
  readonly #spillDir: string;
  /** Chunk i in memory, or null once spilled. */
  readonly #chunks: (Chunk | null)[] = [];
  #firstResident = 0;
  #length = 0;
  #fd: number | null = null;
  #cacheIndex = -1;
  #cache: Chunk | null = null;
  readonly #overflow = new Map<number, string>();
  #disposed = false;

  constructor(opts: RecordTableOptions = {}) {
    const chunkRecords = opts.chunkRecords ?? 16384;
    if (!Number.isInteger(Math.log2(chunkRecords)) || chunkRecords < 1)
      throw new RangeError(`chunkRecords must be a power of two, got ${chunkRecords}`);
    this.#chunkRecords = chunkRecords;
    this.#shift = Math.log2(chunkRecords);
    this.#mask = chunkRecords - 1;
    this.#resident = Math.max(2, opts.residentChunks ?? 8);
    this.#spillDir = opts.spillDir ?? tmpdir();
  }

  get length(): number {
    return this.#length;
  }
  /** Chunks written to the spill file so far. */
  get spilledChunks(): number {
    return this.#firstResident;
  }
  /** Bytes of records held in memory now (resident chunks and the read cache). */
  get residentBytes(): number {
    return (
      (this.#chunks.length - this.#firstResident + (this.#cache ? 1 : 0)) * this.#chunkRecords * RECORD_BYTES
    );
  }

  /** Appends a record (t0, t1, ref, id); returns its index. */
  append(t0: number, t1: number, ref: number, id: string): number {
    const i = this.#length;
    const c = i >>> this.#shift;
    if (c === this.#chunks.length) {
      this.#chunks.push(newChunk(this.#chunkRecords));
      if (this.#chunks.length - this.#firstResident > this.#resident) this.#spillOldest();
    }
    const chunk = this.#chunks[c] as Chunk;
    const r = i & this.#mask;
    chunk.f64[r * F64_PER_RECORD] = t0;
    chunk.f64[r * F64_PER_RECORD + 1] = t1;
    chunk.u32[r * U32_PER_RECORD + REF_U32] = ref;
    const at = r * RECORD_BYTES;
    const bytes = chunk.bytes;
    const n = id.length;
    let inline = n <= MAX_INLINE_ID;
    for (let k = 0; inline && k < n; k++) {
      const code = id.charCodeAt(k);
      if (code > 0x7f) inline = false;
      else bytes[at + ID_AT + k] = code;
    }
    if (inline) bytes[at + ID_LEN] = n;
    else {
      bytes[at + ID_LEN] = ID_OVERFLOW;
      this.#overflow.set(i, id);
    }
    this.#length = i + 1;
    return i;
  }

  #spillOldest(): void {
    const c = this.#firstResident;
    const chunk = this.#chunks[c] as Chunk;
    if (this.#fd === null) {
      const path = join(this.#spillDir, `mock-ha-${process.pid}-${++spillSeq}-${Date.now()}.records`);
      this.#fd = openSync(path, 'w+', 0o600);
      unlinkSync(path);
      closer.register(this, this.#fd, this);
    }
    const size = this.#chunkRecords * RECORD_BYTES;
    writeSync(this.#fd, chunk.bytes, 0, size, c * size);
    this.#chunks[c] = null;
    this.#firstResident++;
  }

  /** The chunk holding record i: resident, or read back from the spill file into the cache. */
  #chunk(i: number): Chunk {
    const c = i >>> this.#shift;
    const resident = this.#chunks[c];
    if (resident) return resident;
    if (this.#cacheIndex !== c) {
      this.#cache ??= newChunk(this.#chunkRecords);
      const size = this.#chunkRecords * RECORD_BYTES;
      readSync(this.#fd as number, this.#cache.bytes, 0, size, c * size);
      this.#cacheIndex = c;
    }
    return this.#cache as Chunk;
  }

  t0(i: number): number {
    return this.#chunk(i).f64[(i & this.#mask) * F64_PER_RECORD] as number;
  }
  t1(i: number): number {
    return this.#chunk(i).f64[(i & this.#mask) * F64_PER_RECORD + 1] as number;
  }
  ref(i: number): number {
    return this.#chunk(i).u32[(i & this.#mask) * U32_PER_RECORD + REF_U32] as number;
  }
  id(i: number): string {
    const chunk = this.#chunk(i);
    const at = (i & this.#mask) * RECORD_BYTES;
    const n = chunk.bytes[at + ID_LEN] as number;
    if (n === ID_OVERFLOW) return this.#overflow.get(i) ?? '';
    return chunk.bytes.toString('latin1', at + ID_AT, at + ID_AT + n);
  }

  /**
   * Calls fn(t0, t1) for every record in order, a chunk at a time (spilled chunks read back once
   * each): the way to scan a whole table without a lookup per record.
   */
  scan(fn: (t0: number, t1: number) => void): void {
    for (let i = 0; i < this.#length; i += this.#chunkRecords) {
      const f64 = this.#chunk(i).f64;
      const n = Math.min(this.#chunkRecords, this.#length - i);
      for (let r = 0; r < n; r++)
        fn(f64[r * F64_PER_RECORD] as number, f64[r * F64_PER_RECORD + 1] as number);
    }
  }

  /** Sets t1 of records [from, to) (e.g. the sent time of a batch, the delivery time of a flush). */
  fillT1(from: number, to: number, value: number): void {
    for (let i = from; i < to; ) {
      const c = i >>> this.#shift;
      const end = Math.min(to, (c + 1) << this.#shift);
      const resident = this.#chunks[c];
      if (resident) {
        for (let r = i & this.#mask, k = i; k < end; k++, r++) resident.f64[r * F64_PER_RECORD + 1] = value;
      } else {
        // A spilled record (a very old entry): write through to the file and the cache.
        const one = Buffer.from(Float64Array.of(value).buffer); // platform byte order, as the chunks
        for (let k = i; k < end; k++) {
          writeSync(this.#fd as number, one, 0, 8, k * RECORD_BYTES + 8);
          if (this.#cacheIndex === c && this.#cache)
            this.#cache.f64[(k & this.#mask) * F64_PER_RECORD + 1] = value;
        }
      }
      i = end;
    }
  }

  /** Releases the memory and closes the spill file (idempotent). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#chunks.length = 0;
    this.#length = 0;
    this.#firstResident = 0;
    this.#cache = null;
    this.#overflow.clear();
    if (this.#fd !== null) {
      closer.unregister(this);
      try {
        closeSync(this.#fd);
      } catch {
        // already closed
      }
      this.#fd = null;
    }
  }
}
