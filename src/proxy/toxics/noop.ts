import { ToxicStage, type EndKind } from './stage.ts';

/** `noop`: passes everything through (Toxiproxy has it; handy to test the chain itself). */
export class NoopStage extends ToxicStage {
  write(chunk: Buffer): void {
    this.next.write(chunk);
  }

  end(kind: EndKind): void {
    this.next.end(kind);
  }

  update(): void {
    // No attributes.
  }

  remove(): void {
    // Nothing held.
  }
}
