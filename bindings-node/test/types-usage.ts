// Compiled by `tsc -p test/tsconfig.json` (strict, no emit): every option, field, locale and
// error class of index.d.ts is used here as an application would; each line expected to be
// an error is marked so, and must stay an error.
import {
  ApiError,
  BadRequestError,
  Client,
  ConfigurationError,
  ERROR_CODES,
  ForbiddenError,
  LOCALES,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  ServerError,
  SmsOtpError,
  UnauthorizedError,
  UnexpectedResponseError,
  VERSION,
  ValidationError,
  normalizePhoneNumber,
} from 'sms-otp';
import type { ClientOptions, ErrorCode, Locale, SendRequest, SendResponse } from 'sms-otp';
import { Emulator, EmulatorError, type EmulatorMessage, type EmulatorUser, type FaultInfo } from 'sms-otp/testing';

const options: ClientOptions = {
  project_id: 'project-test-00000000-0000-0000-0000-000000000000',
  secret: 'secret-test-…',
  environment: 'test',
  base_url: 'http://127.0.0.1:9010',
  custom_base_url: new URL('http://127.0.0.1:9010'),
  timeout_ms: 5000,
  connect_timeout_ms: 1000,
  max_retries: 2,
  retry_rate_limited: false,
  allowed_country_codes: ['1', '44'],
  user_agent_suffix: 'my-app/1.0',
  ca_file: '/etc/ssl/corp.pem',
};
const client = new Client(options);
const fromEnv: Client = Client.fromEnv({ timeout_ms: 2000, base_url: null });
new Client({ project_id: 'p', secret: 's', environment: 'https://test.stytch.com/' });
Client.fromEnv();
// @ts-expect-error credentials come from the environment
Client.fromEnv({ project_id: 'x' });
// @ts-expect-error secret is required
new Client({ project_id: 'p' });
// @ts-expect-error milliseconds are named timeout_ms
new Client({ project_id: 'p', secret: 's', timeout: 5 });

const summary: { project_id: string; environment: 'test' | 'live'; endpoint: string } = client.toJSON();
const env: 'test' | 'live' = fromEnv.environment;
const endpoint: string = client.endpoint + client.project_id + summary.endpoint + env;

const request: SendRequest = {
  phone_number: '+12025550162',
  expiration_minutes: 5,
  attributes: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' },
  locale: 'pt-br',
  user_id: 'user-test-…',
  session_token: null,
  session_jwt: undefined,
};
// @ts-expect-error locale tags are case-sensitive
const badLocale: SendRequest = { phone_number: '+12025550162', locale: 'pt-BR' };
// @ts-expect-error phone_number is a string
const badPhone: SendRequest = { phone_number: 12025550162 };

const every: Locale[] = ['en', 'es', 'pt-br', 'fr', 'it', 'de-DE', 'zh-Hans', 'ca-ES', 'ja', 'ru', 'nl', 'pl', 'tr', 'fa', 'vi', 'cs'];
const locales: readonly Locale[] = LOCALES;
const codes: readonly ErrorCode[] = ERROR_CODES;

async function main(): Promise<string> {
  const controller = new AbortController();
  const resp: SendResponse = await client.otps.sms.send(request, { signal: controller.signal });
  await client.otps.sms.send({ phone_number: '+12025550162' }, { signal: AbortSignal.timeout(1000) });
  await client.otps.sms.send({ phone_number: '+12025550162' });
  const raw: Record<string, unknown> = resp.raw;
  const id: string = resp.request_id + resp.user_id + resp.phone_id + String(resp.status_code);
  try {
    await client.otps.sms.send({ phone_number: normalizePhoneNumber('(202) 555-0162') });
    normalizePhoneNumber('020 7946 0958', 'GB');
  } catch (e) {
    if (e instanceof ValidationError) {
      const field: string = e.field;
      const reason: string = e.reason;
      const no: false = e.maybe_delivered;
      return field + reason + String(no);
    }
    if (e instanceof ConfigurationError) return e.field + e.reason;
    if (e instanceof RateLimitedError) {
      const wait: number | null = e.retry_after;
      return String(wait);
    }
    if (e instanceof BadRequestError || e instanceof UnauthorizedError || e instanceof ForbiddenError || e instanceof NotFoundError) {
      return e.code;
    }
    if (e instanceof ServerError) {
      const yes: true = e.maybe_delivered;
      return String(yes);
    }
    if (e instanceof ApiError) {
      const status: number = e.status_code;
      const parts: (string | null)[] = [e.request_id, e.error_type, e.error_message, e.error_url, e.body];
      return String(status) + parts.join();
    }
    if (e instanceof RequestTimeoutError) {
      const phase: 'connect' | 'response' = e.phase;
      return phase;
    }
    if (e instanceof NetworkError) {
      const after: boolean | null = e.after_send;
      return String(after) + String(e.cause) + String(e.attempts);
    }
    if (e instanceof UnexpectedResponseError) return String(e.status_code) + e.body;
    if (e instanceof SmsOtpError) {
      const code: ErrorCode | 'internal_error' = e.code;
      return code + e.message + e.name;
    }
    throw e;
  }
  return id + String(raw['request_id']) + endpoint;
}

const custom = new RateLimitedError('slow down', { retry_after: 3, status_code: 429 });
const base: SmsOtpError = custom;
const apiBase: ApiError = custom;

async function emulated(): Promise<void> {
  const emu = await Emulator.start({ seed: 1 });
  const c: Client = emu.client({ max_retries: 0 });
  await c.otps.sms.send({ phone_number: '+12025550162' });
  const messages = await emu.messages({ phone_number: '+12025550162' });
  const code: string | undefined = messages[0]?.code;
  const fault: FaultInfo = await emu.injectFault({ status: 503, times: 1 });
  const next: EmulatorMessage | null = await emu.nextMessage({ timeout_ms: 10 });
  const user: EmulatorUser = await emu.createUser({ phone_number: '+12025550100' });
  await emu.createSession({ user_id: user.user_id });
  await emu.advanceClock(60_000);
  await emu.reset();
  try {
    await emu.messages();
  } catch (e) {
    if (e instanceof EmulatorError && e.kind === 'stopped') void [e.field, e.status, e.error_type];
  }
  await emu.stop();
  void [code, fault.fault_id, next?.code, emu.url, emu.project_id, emu.secret];
}

void [main, emulated, every, locales, codes, badLocale, badPhone, base, apiBase, VERSION];
