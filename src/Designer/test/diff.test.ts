import { describe, expect, it } from 'vitest';
import { diffVersions } from '../src/model/diff';

const v1 = `id: d
name: One
steps:
  - { id: tag, uses: git.latest-tag }
  - { id: flip, uses: lb.flip }
  - uses: log
    with: { message: hi }
`;
const v2 = `id: d
name: Two
steps:
  - { id: tag, uses: git.latest-tag, with: { ref: latest } }
  - uses: log
    with: { message: hi }
  - { id: all, uses: lb.all }
`;

describe('diffVersions', () => {
  it('marks changed, removed and added steps by id (or path) and changed top-level fields', () => {
    const d = diffVersions(v1, v2);
    expect([...d.before]).toEqual([['tag', 'changed'], ['flip', 'removed'], ['steps[2]', 'removed']]);
    expect([...d.after]).toEqual([['tag', 'changed'], ['steps[1]', 'added'], ['all', 'added']]);
    expect(d.fields).toEqual(['name']);
  });
});
