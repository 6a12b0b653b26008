/**
 * mqtt.js's own log stays off (its `debug` logger allocates per call even when off) unless DEBUG
 * names mqtt.js, as the `debug` package reads it: a comma- or space-separated list, `*` for all.
 */
import { describe, expect, it } from 'vitest';
import { mqttDebugWanted } from './connection.js';

describe('mqttDebugWanted', () => {
  it('is on only when DEBUG names mqtt.js or everything', () => {
    const wanted = (DEBUG?: string) => mqttDebugWanted(DEBUG === undefined ? {} : { DEBUG });
    expect([wanted(), wanted(''), wanted('anxin:*'), wanted('express')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([
      wanted('mqttjs*'),
      wanted('mqttjs:client'),
      wanted('foo,mqttjs*'),
      wanted('*'),
    ]).toEqual([true, true, true, true]);
  });
});
