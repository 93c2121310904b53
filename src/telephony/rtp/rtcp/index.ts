export { ntpFromUnixMs, ntpMiddle32, type NtpTimestamp } from './ntp.ts';
export { parseRtcp } from './parse.ts';
export { ReceiverStatistics } from './receiver-stats.ts';
export { buildBye, buildReport, nextReportDelayMs, RTCP_INTERVAL_MS, type ReportInput } from './report.ts';
export { SenderStatistics, type ReportClock } from './sender-stats.ts';
export { RtcpSerializeError, serializeRtcp } from './serialize.ts';
export * from './types.ts';
