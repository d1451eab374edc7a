/**
 * What the command contract needs from a platform under test: run a command as the admin or the
 * viewer in the configured chat, read the reply as plain text with its button labels, and press
 * a button. Each platform has one small harness file that says how.
 */
import type { FakeFreqtrade } from '../fakes/fake-freqtrade.js';

export type Who = 'admin' | 'viewer';

/** A reply as the contract compares them across platforms. */
export interface CommandReply {
  /** Everything readable in it (text, embed title and fields), as one string. */
  text: string;
  /** The labels of its buttons, in order. */
  buttons: string[];
  /** The platform's id of the message, for pressing its buttons and reading its edits. */
  id: string;
  /** The picture the reply carries: the bytes the platform received, and its alt text where it keeps one. */
  image?: { bytes: Uint8Array; alt?: string };
}

export interface CommandHarness {
  freqtrade: FakeFreqtrade;
  logs: string[];
  /** Secrets that must never reach a reply or a log line. */
  secrets: string[];
  /** Runs `/name` with its arguments (in order) and resolves with the reply. */
  run(name: string, args: Record<string, string>, who?: Who): Promise<CommandReply>;
  /** Presses the button labelled `label` on `reply` and resolves once its action has finished. */
  press(reply: CommandReply, label: string, who?: Who): Promise<void>;
  /** The reply message as it stands now (after edits), by its platform message. */
  current(reply: CommandReply): CommandReply;
  /** Freqtrade calls that changed state (anything but GET, logins excluded). */
  stateChangingCalls(): Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

export interface CommandHarnessDefinition {
  name: string;
  start(): Promise<CommandHarness>;
}
