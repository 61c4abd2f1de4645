/**
 * Group commit: items submitted by concurrent requests are written together, in
 * one transaction, while the previous batch commits. A commit costs about the same
 * for one row as for hundreds, so throughput follows the batch, not the commit rate.
 * Each submitter's promise settles when its own item is committed (or failed).
 */
export class GroupCommit<I, O> {
  readonly #write: (items: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  #queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #flushing = false;

  constructor(write: (items: I[]) => Promise<O[]>, maxBatch = 500) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const results = await this.#write(batch.map((b) => b.item));
        for (const [i, b] of batch.entries()) b.resolve(results[i]);
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.#flushing = false;
  }
}
