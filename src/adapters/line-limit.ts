import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;

/**
 * Passes newline-delimited messages through whole, dropping any line longer than `maxBytes` (and reporting it
 * once), so that one oversized message costs the sender an error, not the whole session: the SDK's stdio transport
 * closes itself when its buffer overflows. A line is held until its newline arrives, since passing on the start of
 * a line that turns out too long would leave a fragment that corrupts the next message.
 */
export class LineLimit extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private dropping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onDropped: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      if (!this.dropping) {
        this.pending.push(chunk.subarray(start, end));
        this.pendingBytes += end - start;
        if (this.pendingBytes > this.maxBytes + 1) {
          this.dropping = true;
          this.pending = [];
          this.pendingBytes = 0;
          this.onDropped();
        }
      }
      if (newline !== -1) {
        if (!this.dropping) this.push(Buffer.concat(this.pending, this.pendingBytes));
        this.pending = [];
        this.pendingBytes = 0;
        this.dropping = false;
      }
      start = end;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.dropping && this.pendingBytes > 0) this.push(Buffer.concat(this.pending, this.pendingBytes));
    done();
  }
}
