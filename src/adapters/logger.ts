import pino, { type Logger } from 'pino';

/** Logs go to stderr as JSON lines: in `gatehouse stdio` mode stdout carries the protocol. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'gatehouse' } }, pino.destination({ fd: 2, sync: false }));
}
