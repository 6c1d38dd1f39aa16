// Types of the ES module entry (index.mjs): the CommonJS entry's named exports, and the same
// object as the default export.
export * from './index.js';
import * as sms from './index.js';
export default sms;
