/** The part of newman's Node API the Postman test uses (newman ships no types). */
declare module 'newman' {
  export interface Execution {
    item: { name: string };
    request: { method: string; url: { toString(): string } };
    response?: { code: number; text(): string };
    requestError?: { message: string };
  }
  export interface Summary {
    run: {
      executions: Execution[];
      failures: Array<{ error: { message: string; test?: string }; source?: { name?: string } }>;
    };
  }
  export interface RunOptions {
    collection: object;
    envVar?: Array<{ key: string; value: string }>;
    reporters?: string[];
    timeout?: number;
    timeoutRequest?: number;
  }
  export function run(options: RunOptions, callback: (err: Error | null, summary: Summary) => void): unknown;
}
