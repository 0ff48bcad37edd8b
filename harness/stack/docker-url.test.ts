import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { urlOf } from './docker.ts';

/** A container as `docker inspect` reports it, with only the fields urlOf reads. */
function container(opts: {
  published?: Record<string, string>;
  exposed?: string[];
  ip?: string;
}): Docker.ContainerInspectInfo {
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const [cport, hport] of Object.entries(opts.published ?? {}))
    ports[cport] = [{ HostIp: '127.0.0.1', HostPort: hport }];
  return {
    NetworkSettings: {
      Ports: ports,
      Networks: opts.ip ? { run_default: { IPAddress: opts.ip } } : {},
    },
    Config: { ExposedPorts: Object.fromEntries((opts.exposed ?? []).map((p) => [p, {}])) },
  } as unknown as Docker.ContainerInspectInfo;
}

describe('urlOf: where the harness reaches a service', () => {
  it('prefers a published host port', () => {
    expect(urlOf(container({ published: { '8001/tcp': '49153' }, ip: '172.20.0.5' }), 8001)).toBe(
      'http://127.0.0.1:49153',
    );
  });

  it("reaches a service on its bridge address and the profile's port when the image exposes none", () => {
    // The foreign-shaped stack's collector: no EXPOSE, no ports (the rewrite publishes none).
    expect(urlOf(container({ ip: '172.20.0.9' }), 8009)).toBe('http://172.20.0.9:8009');
  });

  it("uses the profile's port, not the first exposed one, when the image exposes others", () => {
    expect(urlOf(container({ exposed: ['80/tcp', '9000/tcp'], ip: '172.20.0.9' }), 8009)).toBe(
      'http://172.20.0.9:8009',
    );
  });

  it('falls back to the first exposed TCP port when the profile names none', () => {
    expect(urlOf(container({ exposed: ['53/udp', '8086/tcp'], ip: '172.20.0.3' }))).toBe(
      'http://172.20.0.3:8086',
    );
  });

  it('has no URL without a published port or a bridge address', () => {
    expect(urlOf(container({ exposed: ['8086/tcp'] }), 8086)).toBeUndefined();
  });
});
