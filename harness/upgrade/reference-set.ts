/**
 * The reference set of the pre-upgrade check: a seeded, fixed set of points written into the
 * production bucket through the admin path, on a scratch instance this run onboarded (the safety
 * guard's `influx-scratch` rule). Float, integer, string and boolean fields over a day at 5-minute
 * steps, for entities of several domains, so counts, last values, windowed means and grouping by
 * tag all have something to answer. Deterministic: same seed, same points.
 */
import { connect } from '../influx/connection.ts';
import { fluxString, queryRows } from '../influx/flux.ts';
import { influxApi } from '../influx/http.ts';
import { writeScratchLines } from '../safety/influx-writer.ts';
import { ALL_TIME } from './capture.ts';

export const REFERENCE_MEASUREMENT = 'homeiq_upgrade_reference';
const ENTITIES = [
  { entity: 'sensor.ref_living_room_temperature', domain: 'sensor' },
  { entity: 'sensor.ref_energy_meter', domain: 'sensor' },
  { entity: 'binary_sensor.ref_front_door', domain: 'binary_sensor' },
  { entity: 'light.ref_kitchen', domain: 'light' },
  { entity: 'climate.ref_hallway', domain: 'climate' },
];
/** 2026-01-01T00:00:00Z, every 5 minutes for one day. */
const START_MS = Date.UTC(2026, 0, 1);
const STEP_MS = 5 * 60_000;
const STEPS = 288;

/** A small, explicit PRNG (mulberry32): the set must not depend on a library's version. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const esc = (s: string) => s.replace(/[ ,=]/g, (c) => `\\${c}`);

/** Line protocol, ms precision. Each point carries 4 fields. */
export function referenceLines(seed: number): string[] {
  const rnd = mulberry32(seed);
  const lines: string[] = [];
  for (let i = 0; i < STEPS; i++) {
    for (const e of ENTITIES) {
      const value = Math.round((15 + rnd() * 10) * 1000) / 1000;
      const reading = Math.floor(rnd() * 10_000);
      const on = rnd() < 0.5;
      const state = on ? 'on' : 'off';
      lines.push(
        `${REFERENCE_MEASUREMENT},entity_id=${esc(e.entity)},domain=${esc(e.domain)} value=${value},reading=${reading}i,state="${state}",on=${on} ${START_MS + i * STEP_MS}`,
      );
    }
  }
  return lines;
}

export interface ReferenceSetResult {
  points: number;
  fieldValues: number;
  seed: number;
}

/**
 * Write the reference set into the production bucket (`org`/`bucket`: the profile's
 * roles.influxdb.production, harness/upgrade/targets.ts) of a scratch instance. Refused by the guard
 * (SafetyError) unless the bucket was created after `runStartedMs` and is empty.
 */
export async function writeReferenceSet(opts: {
  url: string;
  adminToken: string;
  seed: number;
  runStartedMs: number;
  org: string;
  bucket: string;
}): Promise<ReferenceSetResult> {
  const { org, bucket } = opts;
  const api = influxApi(opts.url, opts.adminToken);
  const b = (
    await api.call<{ buckets?: { name: string; createdAt?: string }[] }>(
      'GET',
      `/api/v2/buckets?org=${encodeURIComponent(org)}&name=${encodeURIComponent(bucket)}`,
    )
  ).body.buckets?.find((x) => x.name === bucket);
  const rows = await queryRows(
    connect(opts.url, opts.adminToken),
    org,
    `from(bucket: ${fluxString(bucket)})\n  |> range(${ALL_TIME})\n  |> group()\n  |> count()`,
  );
  const pointsBefore = rows.reduce((n, r) => n + Number(r._value ?? 0), 0);
  const lines = referenceLines(opts.seed);
  await writeScratchLines({ url: opts.url, token: opts.adminToken, org, bucket }, lines, {
    bucketCreatedMs: Date.parse(b?.createdAt ?? ''),
    runStartedMs: opts.runStartedMs,
    pointsBefore,
  });
  return { points: lines.length, fieldValues: lines.length * 4, seed: opts.seed };
}
