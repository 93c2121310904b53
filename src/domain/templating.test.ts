import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatCallTime, renderTemplate, resolveVariables, systemVariables } from './templating.ts';

// 2025-01-10 14:30:00 UTC, the instant of Diga's documented example.
const NOW = new Date(Date.UTC(2025, 0, 10, 14, 30, 0));

describe('renderTemplate', () => {
  test('replaces names, with or without whitespace inside the braces', () => {
    const out = renderTemplate('Hola {{nombre}}, soy {{ agent_name }} de {{  empresa\t}}.', {
      nombre: 'Lucía',
      agent_name: 'Sofía',
      empresa: 'Acme',
    });
    assert.equal(out, 'Hola Lucía, soy Sofía de Acme.');
  });

  test('leaves unknown names, and names whose value is undefined, as written', () => {
    const out = renderTemplate('{{known}} {{ unknown }} {{undef}}', { known: 'sí', undef: undefined });
    assert.equal(out, 'sí {{ unknown }} {{undef}}');
  });

  test('stringifies numbers and booleans, JSON for objects and arrays, empty for null', () => {
    const out = renderTemplate('{{n}}|{{b}}|{{o}}|{{a}}|{{z}}|{{nil}}', {
      n: 42.5,
      b: false,
      o: { plan: 'pro', seats: 3 },
      a: [1, 'x'],
      z: 0,
      nil: null,
    });
    assert.equal(out, '42.5|false|{"plan":"pro","seats":3}|[1,"x"]|0|');
  });

  test('does not re-expand placeholders found inside values', () => {
    const out = renderTemplate('{{a}} {{b}}', { a: '{{b}}', b: '{{a}}' });
    assert.equal(out, '{{b}} {{a}}');
  });

  test('replaces every occurrence, accepts accented names, ignores inherited properties', () => {
    assert.equal(renderTemplate('{{x}}-{{x}}-{{x}}', { x: 'y' }), 'y-y-y');
    assert.equal(renderTemplate('{{ciudad_año}}', { ciudad_año: 'Madrid 2025' }), 'Madrid 2025');
    assert.equal(renderTemplate('{{toString}} {{constructor}}', {}), '{{toString}} {{constructor}}');
  });

  test('leaves malformed placeholders alone', () => {
    const text = '{{}} {{ }} {x} {{1abc}} {{a b}} {{x}';
    assert.equal(renderTemplate(text, { x: 'X', a: 'A', '1abc': 'N' }), text);
  });

  test('current_time[Zone] renders in that IANA zone when the clock is given', () => {
    const out = renderTemplate('NY: {{current_time[America/New_York]}} / MAD: {{ current_time[Europe/Madrid] }}', {}, { now: NOW });
    assert.equal(out, 'NY: Friday, January 10, 2025 09:30:00 EST / MAD: Friday, January 10, 2025 15:30:00 GMT+1');
  });

  test('current_time[Zone] with an invalid zone, or without a clock, stays as written', () => {
    assert.equal(renderTemplate('{{current_time[Mars/Olympus]}}', {}, { now: NOW }), '{{current_time[Mars/Olympus]}}');
    assert.equal(renderTemplate('{{current_time[Europe/Madrid]}}', {}), '{{current_time[Europe/Madrid]}}');
    // The bracket form belongs to current_time only.
    assert.equal(renderTemplate('{{agent_name[x]}}', { agent_name: 'A' }, { now: NOW }), '{{agent_name[x]}}');
  });
});

describe('systemVariables', () => {
  test('agent name, phone number and Diga-format UTC time by default', () => {
    const vars = systemVariables({ agentName: 'Recepción', userPhoneNumber: '+34600111222', now: NOW });
    assert.deepEqual(vars, {
      agent_name: 'Recepción',
      user_phone_number: '+34600111222',
      current_time: 'Friday, January 10, 2025 14:30:00 UTC',
    });
  });

  test('an unknown number is empty; a default zone moves current_time (summer time included)', () => {
    const july = new Date(Date.UTC(2025, 6, 1, 22, 5, 9));
    const vars = systemVariables({ agentName: 'A', userPhoneNumber: null, now: july, defaultTimeZone: 'Europe/Madrid' });
    assert.equal(vars.user_phone_number, '');
    assert.equal(vars.current_time, 'Wednesday, July 2, 2025 00:05:09 GMT+2');
  });

  test('an invalid default zone is a configuration error', () => {
    assert.throws(() => systemVariables({ agentName: 'A', userPhoneNumber: null, now: NOW, defaultTimeZone: 'Nowhere/Town' }), RangeError);
  });
});

describe('resolveVariables', () => {
  test('call values override version defaults; system variables override both', () => {
    const system = systemVariables({ agentName: 'Sofía', userPhoneNumber: '+34911222333', now: NOW });
    const vars = resolveVariables({
      versionDefaults: { nombre: 'cliente', plan: 'basic', agent_name: 'default' },
      callValues: { nombre: 'Lucía', user_phone_number: '+34000000000' },
      system,
    });
    assert.equal(vars.nombre, 'Lucía');
    assert.equal(vars.plan, 'basic');
    assert.equal(vars.agent_name, 'Sofía');
    assert.equal(vars.user_phone_number, '+34911222333');
    assert.equal(vars.current_time, 'Friday, January 10, 2025 14:30:00 UTC');
  });

  test('null defaults and call values are treated as none', () => {
    const vars = resolveVariables({ versionDefaults: null, callValues: null, system: { agent_name: 'X' } });
    assert.deepEqual(vars, { agent_name: 'X' });
  });

  test('end to end: a greeting rendered with resolved variables', () => {
    const vars = resolveVariables({
      versionDefaults: { nombre: 'cliente' },
      callValues: { nombre: 'Lucía', cita: { dia: 'martes' } },
      system: systemVariables({ agentName: 'Sofía', userPhoneNumber: '+34600111222', now: NOW }),
    });
    const greeting = renderTemplate('Hola {{nombre}}, soy {{agent_name}}. Su cita: {{cita}}. {{sin_valor}}', vars, { now: NOW });
    assert.equal(greeting, 'Hola Lucía, soy Sofía. Su cita: {"dia":"martes"}. {{sin_valor}}');
  });
});

test('formatCallTime pads hours and handles midnight as 00, not 24', () => {
  assert.equal(formatCallTime(new Date(Date.UTC(2025, 2, 3, 0, 7, 5)), 'UTC'), 'Monday, March 3, 2025 00:07:05 UTC');
  assert.equal(formatCallTime(NOW, 'Not/AZone'), undefined);
});
