// Dynamic variables (`{{name}}`) in agent prompts, greetings and other call-time texts.
// Distinct from agent-template placeholders (`<<name>>`, agent-templates/template.ts), which
// are filled once when a template is copied; these are filled on every call.

/**
 * `{{ name }}` or `{{ name[argument] }}`; whitespace allowed inside the braces. Names are
 * identifiers (any script, so Spanish names with accents work); the bracket form exists only
 * for `current_time[Area/City]`.
 */
const PLACEHOLDER = /\{\{\s*([\p{L}_][\p{L}\p{N}_.-]*)(?:\[([^\]{}]*)\])?\s*\}\}/gu;

const ZONED_TIME = 'current_time';

export interface RenderOptions {
  /** The call's clock; without it `{{current_time[Zone]}}` stays as written. */
  now?: Date;
}

/**
 * Replaces each known placeholder with its value in one pass: a value that itself contains
 * `{{x}}` is inserted literally, never expanded again (a caller-supplied value must not be
 * able to pull other variables, or loop). Unknown names stay as written, so a typo is visible
 * in the transcript instead of silently becoming an empty string.
 */
export function renderTemplate(text: string, variables: Record<string, unknown>, options: RenderOptions = {}): string {
  return text.replace(PLACEHOLDER, (whole, name: string, argument: string | undefined) => {
    if (argument !== undefined) {
      if (name !== ZONED_TIME || !options.now) return whole;
      return formatCallTime(options.now, argument.trim()) ?? whole;
    }
    if (!Object.hasOwn(variables, name)) return whole;
    const value = variables[name];
    return value === undefined ? whole : stringify(value);
  });
}

/** Numbers and booleans as Diga documents (stringified); objects and arrays as JSON. */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  // An explicit null means "no value": an empty string reads better to the LLM than "null".
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface SystemVariableInput {
  agentName: string;
  userPhoneNumber: string | null;
  now: Date;
  /** IANA zone of `{{current_time}}`. Default UTC, as Diga documents it. */
  defaultTimeZone?: string;
}

/**
 * The variables every call has without configuration (Diga: agent_name, user_phone_number
 * in E.164, current_time). An unknown number renders as an empty string rather than leaving
 * the placeholder, since "the number is unknown" is the truth here, not a template mistake.
 */
export function systemVariables(input: SystemVariableInput): Record<string, string> {
  const zone = input.defaultTimeZone ?? 'UTC';
  const currentTime = formatCallTime(input.now, zone);
  if (currentTime === undefined) throw new RangeError(`Invalid time zone: ${zone}`);
  return {
    agent_name: input.agentName,
    user_phone_number: input.userPhoneNumber ?? '',
    [ZONED_TIME]: currentTime,
  };
}

export interface ResolveVariablesInput {
  versionDefaults: Record<string, unknown> | null;
  callValues: Record<string, unknown> | null;
  system: Record<string, string>;
}

/**
 * Precedence, lowest first: agent-version defaults, call-level values, system variables.
 * Diga puts call values over version defaults. It documents system variables as "always
 * present, no configuration", and does not say what a same-named call value does; we let
 * the system win: they are facts the platform knows (the real caller number, the real time),
 * and letting request data override `user_phone_number` would have the agent trust a number
 * nobody dialled from. (Pre-call flow outputs, which Diga ranks above call values, slot in
 * between call values and system variables once flows exist.)
 */
export function resolveVariables(input: ResolveVariablesInput): Record<string, unknown> {
  return { ...(input.versionDefaults ?? {}), ...(input.callValues ?? {}), ...input.system };
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Diga's format: `Friday, January 10, 2025 14:30:00 UTC`, the zone abbreviation replacing
 * UTC for other zones (`EST`; zones without an English abbreviation get `GMT+1`). English,
 * because that is what prompts written for Diga expect; LLMs read it fine in Spanish calls.
 * Undefined for a zone Intl does not know.
 */
export function formatCallTime(now: Date, timeZone: string): string | undefined {
  const formatter = formatterFor(timeZone);
  if (!formatter) return undefined;
  const part: Record<string, string> = {};
  for (const { type, value } of formatter.formatToParts(now)) part[type] = value;
  return `${part.weekday}, ${part.month} ${part.day}, ${part.year} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  const cached = timeFormatters.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'long',
      month: 'long',
      day: 'numeric',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
  } catch {
    return undefined;
  }
  // Zones come from prompt text: bound the cache so arbitrary strings cannot grow it forever.
  if (timeFormatters.size < 512) timeFormatters.set(timeZone, formatter);
  return formatter;
}
