/** Types of postman.mjs, for the test that imports it. */
export interface Documents {
  /** A node's `GET /openapi.json`. */
  node: unknown;
  /** The manager's `GET /openapi.json`. */
  manager: unknown;
}

export const COLLECTION_PATH: string;

/** A Postman collection (format v2.1) from both documents. */
export function collectionFrom(docs: Documents): Record<string, unknown>;

/** The collection as docs/chainsim.postman_collection.json holds it. */
export function collectionText(docs: Documents): Promise<string>;

/** Both documents, from a one-node simulation of the default network on free ports. */
export function documentsFromSimulation(): Promise<Documents>;
