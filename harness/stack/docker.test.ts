import { describe, expect, it } from 'vitest';
import { demuxLogs, redact, withEnv } from './docker.ts';

const frame = (stream: number, text: string) => {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};

describe('docker helpers', () => {
  it('demultiplexes framed stdout/stderr logs in order', () => {
    expect(demuxLogs(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 2\n'), frame(1, 'out 3\n')]))).toBe(
      'out 1\nerr 2\nout 3\n',
    );
  });
  it('passes TTY (unframed) logs through', () => {
    expect(demuxLogs(Buffer.from('plain log line that is long enough\n'))).toBe(
      'plain log line that is long enough\n',
    );
  });
  it('overrides environment variables by name', () => {
    expect(
      withEnv(['DEPLOYMENT_MODE=test', 'A=1', 'DEPLOYMENT_MODE_X=y'], { DEPLOYMENT_MODE: 'production' }),
    ).toEqual(['A=1', 'DEPLOYMENT_MODE_X=y', 'DEPLOYMENT_MODE=production']);
  });

  it('redacts secrets in environment shown in messages', () => {
    expect(
      redact({
        INFLUXDB_TOKEN: 'abc',
        WEATHER_API_KEY: 'k',
        INFLUXDB_TOKEN_FILE: '',
        DEPLOYMENT_MODE: 'test',
      }),
    ).toEqual({
      INFLUXDB_TOKEN: '<redacted>',
      WEATHER_API_KEY: '<redacted>',
      INFLUXDB_TOKEN_FILE: '',
      DEPLOYMENT_MODE: 'test',
    });
  });
});
