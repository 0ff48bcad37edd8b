/**
 * Read files out of a container (running or exited) through the Docker archive API, without
 * exec: token files written by the one-shot onboarding, SQLite databases of a service.
 */
import { docker } from './docker.ts';

export interface ArchivedFile {
  /** Path relative to the requested directory (or the file's base name). */
  name: string;
  data: Buffer;
}

/** Minimal ustar reader: regular files only (type '0' or NUL), GNU long names supported. */
export function untar(buf: Buffer): ArchivedFile[] {
  const files: ArchivedFile[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (a: number, n: number) =>
      header
        .subarray(a, a + n)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1);
    const prefix = str(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = undefined;
    const data = buf.subarray(off + 512, off + 512 + size);
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') {
      name = name.replace(/^\.?\//, '');
      files.push({ name, data: Buffer.from(data) });
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Files under `path` in the container. Names are relative to `path` when it is a directory. */
export async function readContainerPath(containerId: string, path: string): Promise<ArchivedFile[]> {
  const stream = await docker().getContainer(containerId).getArchive({ path });
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  const files = untar(Buffer.concat(chunks));
  const base = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return files.map((f) => ({
    ...f,
    name: f.name.startsWith(`${base}/`) ? f.name.slice(base.length + 1) : f.name,
  }));
}
