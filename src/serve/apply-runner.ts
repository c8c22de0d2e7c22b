/** One apply at a time (filled in below the skeleton). */
export class ApplyRunner {
  close(): Promise<void> {
    return Promise.resolve();
  }
}
