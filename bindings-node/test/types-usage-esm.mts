// The ES module entry resolves to the same declarations.
import sms, { Client, ValidationError, type Locale } from 'sms-otp';
import { Emulator } from 'sms-otp/testing';

const locale: Locale = 'zh-Hans';
const client = new Client({ project_id: 'p', secret: 's' });
const same: typeof Client = sms.Client;
void [locale, client, same, ValidationError, Emulator];
