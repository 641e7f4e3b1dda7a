import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallObserver } from '../ports.js';
import type { Gateway } from '../proxy/gateway.js';

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Prometheus metrics for one gateway, in a registry of its own (so several gateways in one process do not clash). */
export class GatewayMetrics implements CallObserver {
  readonly registry = new Registry();
  private readonly calls = new Counter({ name: 'gatehouse_tool_calls_total', help: 'Tool calls by server, tool and decision', labelNames: ['server', 'tool', 'decision'], registers: [this.registry] });
  private readonly decision = new Histogram({ name: 'gatehouse_decision_seconds', help: 'Time to decide a call (policy and quotas)', buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly upstream = new Histogram({ name: 'gatehouse_upstream_call_seconds', help: 'Upstream tool call latency by server and outcome', labelNames: ['server', 'outcome'], buckets: LATENCY_BUCKETS, registers: [this.registry] });

  constructor(gateway: Gateway, audit: { readonly pending: number; readonly healthy: boolean }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_process_' });
    const registers = [this.registry];
    new Gauge({
      name: 'gatehouse_upstream_up',
      help: 'Whether each upstream is connected (1) or not (0)',
      labelNames: ['server'],
      registers,
      collect() {
        for (const u of gateway.upstreams) this.set({ server: u.name }, u.status === 'ready' ? 1 : 0);
      },
    });
    new Gauge({ name: 'gatehouse_sessions', help: 'Open agent sessions', registers, collect() { this.set(gateway.sessions.size); } });
    new Gauge({ name: 'gatehouse_audit_pending', help: 'Audit records waiting to be written', registers, collect() { this.set(audit.pending); } });
    new Gauge({ name: 'gatehouse_audit_healthy', help: 'Whether the audit database accepts writes (1) or not (0)', registers, collect() { this.set(audit.healthy ? 1 : 0); } });
  }

  decided(server: string, tool: string, decision: 'allow' | 'deny' | 'limit' | 'hold', seconds: number): void {
    this.calls.inc({ server, tool, decision });
    this.decision.observe(seconds);
  }

  upstreamCalled(server: string, outcome: string, seconds: number): void {
    this.upstream.observe({ server, outcome }, seconds);
  }
}
