import { StringDecoder } from 'node:string_decoder';

const boundary = /\r?\n\r?\n/g;

/**
 * Splits a server-sent-event stream into events. Each event is returned with its terminating
 * blank line, exactly as received, so passing every event on reproduces the stream.
 */
export class SseSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #buffer = '';

  /** Adds body bytes; returns the events they complete. */
  push(data: Buffer): string[] {
    this.#buffer += this.#decoder.write(data);
    const events: string[] = [];
    let start = 0;
    boundary.lastIndex = 0;
    for (
      let match = boundary.exec(this.#buffer);
      match !== null;
      match = boundary.exec(this.#buffer)
    ) {
      const end = match.index + match[0].length;
      events.push(this.#buffer.slice(start, end));
      start = end;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  /** What is left after the last complete event (an unterminated event, usually empty). */
  rest(): string {
    const rest = this.#buffer + this.#decoder.end();
    this.#buffer = '';
    return rest;
  }
}

/** The `data` of an event: its `data:` lines joined with `\n`, or `undefined` when it has none. */
export function sseData(event: string): string | undefined {
  let data: string | undefined;
  for (const line of event.split(/\r?\n/)) {
    if (!line.startsWith('data')) continue;
    let value: string;
    if (line === 'data') value = '';
    else if (line.startsWith('data:')) value = line.slice(line.startsWith('data: ') ? 6 : 5);
    else continue;
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}
