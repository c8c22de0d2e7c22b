/** Where a command prints: standard output, or a test's collector. */
export interface Output {
  out(text: string): void;
}

export const stdout: Output = { out: (text) => void process.stdout.write(`${text}\n`) };

