/** A FIFO of jobs bounded by the number of events they hold (not jobs: batches vary 1–500). */
export interface Sized {
  size: number;
}

export class BoundedQueue<T extends Sized> {
  private items: T[] = [];
  private head = 0;
  private events = 0;

  constructor(readonly maxEvents: number) {}

  get depthEvents(): number {
    return this.events;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** False (and nothing queued) when the job would exceed the bound. */
  offer(item: T): boolean {
    if (this.events + item.size > this.maxEvents) return false;
    this.items.push(item);
    this.events += item.size;
    return true;
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head += 1;
    this.events -= item.size;
    // Compact now and then so the array does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes everything (e.g. to defer it all while the store is down). */
  drainAll(): T[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.events = 0;
    return all;
  }
}
