import type { ApprovalEvents, ApprovalStore } from '../ports.js';

/**
 * The same store, announcing each request it files and each decision it takes to `events`. Every channel that
 * decides (admin API, CLI, the agent's own user) goes through `decide`, so each is announced exactly once, by the
 * process that took it — not by every replica that hears of it.
 */
export function withApprovalEvents(store: ApprovalStore, events: ApprovalEvents): ApprovalStore {
  return {
    async create(request) {
      const created = await store.create(request);
      events.requested(created);
      return created;
    },
    async decide(id, decision, now) {
      const decided = await store.decide(id, decision, now);
      if (decided) events.decided(decided);
      return decided;
    },
    get: (id) => store.get(id),
    list: (filter) => store.list(filter),
    consume: (match, now) => store.consume(match, now),
    onDecided: (listener) => store.onDecided(listener),
    close: () => store.close(),
  };
}
