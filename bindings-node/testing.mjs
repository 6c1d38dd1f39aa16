// ES module entry of sms-otp/testing (the same objects as the CommonJS entry).
import testing from './testing.js';

export const { Emulator, EmulatorError } = testing;
export default testing;
