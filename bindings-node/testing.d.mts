// Types of the ES module entry of sms-otp/testing (testing.mjs): the CommonJS entry's named
// exports, and the same object as the default export.
export * from './testing.js';
import * as testing from './testing.js';
export default testing;
