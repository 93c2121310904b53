// WAV reading and header writing for recordings. The code lives in lib/audio/ because local
// TTS (voice/) parses WAV too; this is the name engine code and the e2e tests import.
export { MAX_WAV_DATA_BYTES, pcmWavHeader, readWav, WAV_HEADER_BYTES, type PcmFormat, type WavAudio } from '../../lib/audio/wav.ts';
