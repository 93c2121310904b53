// The resampler lives in lib/audio/ because voice/ (TTS and STT rates) needs it too, and
// voice/ and telephony/ may not import each other. Kept here so telephony imports stay put.
export { resample, Resampler } from '../../lib/audio/resampler.ts';
