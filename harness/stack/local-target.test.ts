import { describe, expect, it } from 'vitest';
import { parseServiceLine } from './local-target.ts';

describe('local target', () => {
  it("reads service URLs from run-local.ts's summary lines", () => {
    expect(parseServiceLine('websocket-ingestion-test     http://127.0.0.1:8002/health')).toEqual([
      'websocket-ingestion-test',
      'http://127.0.0.1:8002',
    ]);
    expect(parseServiceLine('influxdb                     http://127.0.0.1:8086 (admin token x)')).toEqual([
      'influxdb',
      'http://127.0.0.1:8086',
    ]);
    expect(parseServiceLine('[  1.2s] stack:local: influxdb-init done')).toBeUndefined();
  });
});
