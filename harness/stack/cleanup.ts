/**
 * Cleanup on SIGINT/SIGTERM. Ryuk cannot run here, so tearing down is ours: each started stack
 * registers a synchronous, fire-and-forget emergency action (spawning a detached
 * `compose down`), which survives the test worker being killed right after the signal.
 */
type Emergency = () => void;

const actions = new Map<number, { name: string; run: Emergency }>();
let nextId = 1;
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const { run } of actions.values()) {
    try {
      run();
    } catch {
      // best effort: keep going with the others
    }
  }
  actions.clear();
  uninstall();
  process.kill(process.pid, signal);
}

const handlers = {
  SIGINT: () => onSignal('SIGINT'),
  SIGTERM: () => onSignal('SIGTERM'),
};

function install(): void {
  if (installed) return;
  process.once('SIGINT', handlers.SIGINT);
  process.once('SIGTERM', handlers.SIGTERM);
  installed = true;
}

function uninstall(): void {
  process.removeListener('SIGINT', handlers.SIGINT);
  process.removeListener('SIGTERM', handlers.SIGTERM);
  installed = false;
}

/** Register an emergency action; returns the function that unregisters it (call after a normal teardown). */
export function onInterrupt(name: string, run: Emergency): () => void {
  const id = nextId++;
  actions.set(id, { name, run });
  install();
  return () => {
    actions.delete(id);
    if (actions.size === 0) uninstall();
  };
}

export function pendingInterruptActions(): string[] {
  return [...actions.values()].map((a) => a.name);
}
