import Docker from 'dockerode';

let client: Docker | undefined;

/** One dockerode client for the process; honours DOCKER_HOST like the docker CLI. */
export function dockerClient(): Docker {
  client ??= new Docker();
  return client;
}

/** Label every resource the harness starts carries, so it can be found and counted. */
export const HARNESS_LABEL = 'com.homeiq.harness';
export const RUN_LABEL = 'com.homeiq.run';
