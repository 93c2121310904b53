// The speech-to-text module's public surface: the contract, the resilient wrapper, the
// factory from configuration, and the adapters for callers that build their own chain.

export { DeepgramStt, type DeepgramSttOptions } from '../providers/deepgram/stt.ts';
export { OpenAiCompatibleStt, type OpenAiCompatibleSttOptions } from '../providers/openai-compatible/stt.ts';
export { OFFLINE_DEMO_UTTERANCES, ScriptedStt, type HeardUtterance, type ScriptedSttOptions, type ScriptedUtterance } from '../providers/scripted/stt.ts';
export { findSherpaModel, SherpaModelError, type SherpaModel } from '../providers/sherpa-onnx/model-dir.ts';
export { SherpaLoadError, type SherpaProbeResult } from '../providers/sherpa-onnx/probe.ts';
export { SherpaOnnxStt, type SherpaOnnxStats, type SherpaOnnxSttOptions } from '../providers/sherpa-onnx/stt.ts';
export { createSttProvider, sttLanguage, type CreateSttOptions, type SttSettings } from './create-stt.ts';
export { SttError, type SttErrorCode } from './errors.ts';
export { ResilientStt, STT_FAILURE_POLICY, STT_RESILIENCE_DEFAULTS, type ResilientSttOptions } from './resilient-stt.ts';
export { STT_SAMPLE_RATE, type SttOpenOptions, type SttProvider, type SttResult, type SttStream } from './types.ts';
