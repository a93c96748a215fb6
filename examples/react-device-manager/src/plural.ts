/** "1 other device", "2 other devices": the app's messages count in English only. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
