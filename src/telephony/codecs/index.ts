export { alawToLinear, decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw, g711, linearToAlaw, linearToUlaw, ulawToLinear, type G711Codec } from './g711.ts';
export { resample, Resampler } from './resampler.ts';
