/**
 * Setup file of every integration suite: the harness process itself may only talk to local
 * hosts (loopback, Docker bridges, compose service names). Any request to an external host fails
 * at once, and the file fails at the end naming each blocked method and URL.
 */
import { afterAll } from 'vitest';
import { assertNoExternalRequests, installStrictNetworkPolicy } from '../../fixtures/upstreams/index.ts';

const policy = installStrictNetworkPolicy();

afterAll(() => {
  try {
    assertNoExternalRequests(policy);
  } finally {
    policy.close();
  }
});
