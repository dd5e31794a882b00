import { describe, expect, it } from 'vitest';
import { runQuery, triggerChoices, triggerKind } from '../src/model/runFilters';

describe('run list filters', () => {
  it('reduces a detailed trigger to its kind', () => {
    expect(triggerKind('push:develop')).toBe('push');
    expect(triggerKind('http:deploy-testing')).toBe('http');
    expect(triggerKind('cli')).toBe('cli');
    expect(triggerKind(undefined)).toBe('');
  });

  it('offers the usual triggers and the kinds seen on runs, once each, sorted', () => {
    expect(triggerChoices(['push:develop', 'push:main', 'schedule', undefined])).toEqual(['cli', 'http', 'push', 'schedule']);
  });

  it('leaves an empty choice out of the query', () => {
    expect(runQuery('testing', 'push')).toEqual({ environment: 'testing', trigger: 'push', limit: 50 });
    expect(runQuery('', '', 20)).toEqual({ limit: 20 });
  });
});
