// Types of sms-otp/testing: the in-process emulator of Stytch's POST /v1/otps/sms/send.
import type { Client, ClientOptions, Locale } from './index.js';

/** Options of `Emulator.start(...)`; every one has a default. */
export interface EmulatorOptions {
  /** Interface to listen on. Default `"127.0.0.1"`. */
  host?: string | null | undefined;
  /** Port; default 0 (a free one, see `url`). */
  port?: number | null | undefined;
  /** Accepted project id. Default `project-test-00000000-0000-0000-0000-000000000000`; `project-live-…` is refused. */
  project_id?: string | null | undefined;
  /** Accepted secret. Default `secret-test-emulator`; `secret-live-…` is refused. */
  secret?: string | null | undefined;
  /** Seed of the code and id generators (same seed, same sends → same codes). Default random. */
  seed?: number | bigint | null | undefined;
  /** Calling codes sends may go to. Default `["1"]`. */
  allowed_country_codes?: readonly string[] | null | undefined;
  /** Sends per number per window before 429. Default 5. */
  rate_limit?: number | null | undefined;
  /** Length of a rate-limit window, in milliseconds. Default one hour. */
  rate_window_ms?: number | null | undefined;
}

/** One SMS the emulator "sent". */
export interface EmulatorMessage {
  message_id: string;
  phone_number: string;
  phone_id: string;
  user_id: string;
  /** The 6-digit code (`000000` for the sandbox number `+10000000000`). */
  code: string;
  locale: Locale;
  /** The SMS body, in `locale`. */
  text: string;
  request_id: string;
  /** RFC 3339, emulator clock. */
  created_at: string;
  /** RFC 3339, emulator clock. */
  expires_at: string;
  status: 'active' | 'invalidated' | 'expired';
}

export type FaultKind = 'error' | 'reset_before_processing' | 'process_then_reset' | 'malformed_body' | 'stall';

/** A fault to inject: the next `times` matching sends fail. */
export interface FaultSpec {
  kind?: FaultKind | null | undefined;
  /** 400..599 for `error` (default 500), 200..599 for `malformed_body` (default 502). */
  status?: number | null | undefined;
  /** Stytch `error_type` of an `error` fault (default: the usual type of `status`). */
  error_type?: string | null | undefined;
  /** `Retry-After` of an `error` fault, in seconds. */
  retry_after?: number | null | undefined;
  /** Wait this long before acting; for `stall`, the stall's length. */
  delay_ms?: number | null | undefined;
  /** How many matching sends it fires on. Default 1. */
  times?: number | null | undefined;
  /** Fire only on sends to this number. Default: any send. */
  phone_number?: string | null | undefined;
}

/** An armed fault. */
export interface FaultInfo {
  fault_id: string;
  kind: FaultKind;
  status: number | null;
  error_type: string | null;
  retry_after: number | null;
  delay_ms: number | null;
  phone_number: string | null;
  /** How many sends it fires on in all. */
  times: number;
  /** How often it has fired. */
  hits: number;
  /** How many more sends it will fire on. */
  remaining: number;
}

export interface EmulatorUser {
  user_id: string;
  phone_number: string | null;
  phone_id: string | null;
}

export interface EmulatorSession {
  session_id: string;
  user_id: string;
  session_token: string;
  session_jwt: string;
}

/** An emulator call failed (a wrong argument type is a `TypeError` instead). */
export declare class EmulatorError extends Error {
  constructor(
    message: string,
    details?: { kind?: EmulatorError['kind']; field?: string | null; status?: number | null; error_type?: string | null },
  );
  /** `live_credentials`, `invalid_config`, `bind`, `start`: it did not start; `admin`: the
   * emulator refused the call; `stopped`: it was stopped. */
  readonly kind: 'live_credentials' | 'invalid_config' | 'bind' | 'start' | 'admin' | 'stopped';
  /** The option or argument at fault, when one is. */
  readonly field: string | null;
  /** `admin`: the status the admin API answers to the same request. */
  readonly status: number | null;
  /** `admin`: the admin API's `error_type` (`bad_request`, `invalid_phone_number`, …). */
  readonly error_type: string | null;
}

/** A running in-process emulator. It does not keep the process alive on its own. */
export declare class Emulator {
  private constructor();
  /** Starts an emulator; it is listening when the promise resolves. */
  static start(options?: EmulatorOptions | null | undefined): Promise<Emulator>;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly project_id: string;
  readonly secret: string;
  /** A `Client` bound to this emulator (credentials and `base_url` preset). */
  client(options?: Partial<ClientOptions> | null | undefined): Client;
  /** Sent messages, oldest first. */
  messages(filter?: { phone_number?: string | null | undefined } | null | undefined): Promise<EmulatorMessage[]>;
  /** The first message sent after this call, or null when none came within `timeout_ms`
   * (default 10000, at most 600000). */
  nextMessage(
    filter?: { phone_number?: string | null | undefined; timeout_ms?: number | bigint | null | undefined } | null | undefined,
  ): Promise<EmulatorMessage | null>;
  /** Empties the inbox; resolves to how many messages it held. */
  clearMessages(): Promise<number>;
  /** A new user, optionally owning `phone_number`. */
  createUser(options?: { phone_number?: string | null | undefined } | null | undefined): Promise<EmulatorUser>;
  /** A new session for an existing user. */
  createSession(options: { user_id: string }): Promise<EmulatorSession>;
  /** Arms a fault; resolves to it. */
  injectFault(spec?: FaultSpec | null | undefined): Promise<FaultInfo>;
  /** Every fault, spent ones included. */
  faults(): Promise<FaultInfo[]>;
  /** Forgets every fault, armed or spent; resolves to how many there were. */
  clearFaults(): Promise<number>;
  /** Moves the emulator's clock forward by `ms` milliseconds. */
  advanceClock(ms: number): Promise<void>;
  /** Forgets everything. */
  reset(): Promise<void>;
  /** Stops listening and waits until every connection is closed. */
  stop(): Promise<void>;
  toJSON(): { url: string; project_id: string };
}
