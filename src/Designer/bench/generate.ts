// A synthetic workflow with n steps: plain activities with a group, a parallel and a foreach every 20 steps.
export function generateWorkflow(n: number): string {
  const lines = ['id: generated', 'steps:'];
  let made = 0;
  while (made < n) {
    const i = made;
    if (i % 20 === 10 && n - made >= 4) {
      lines.push(`  - id: block${i}`, '    group:', `      - { id: s${i}a, uses: lb.flip }`, `      - { id: s${i}b, uses: deploy.release, with: { target: out, tag: v1.0.0 } }`,
        '    on_failure:', `      - { id: s${i}c, uses: lb.restore }`);
      made += 4;
    } else if (i % 20 === 15 && n - made >= 3) {
      lines.push(`  - id: fan${i}`, '    parallel:', `      - { id: p${i}a, uses: log, with: { message: a } }`, `      - { id: p${i}b, uses: log, with: { message: b } }`);
      made += 3;
    } else if (i % 20 === 5 && n - made >= 2) {
      lines.push(`  - id: each${i}`, '    foreach: group1', '    as: host', '    steps:', `      - { id: c${i}, uses: http.check, with: { url: "http://{{ host.address }}/health" } }`);
      made += 2;
    } else {
      lines.push(`  - { id: s${i}, uses: log, with: { message: "step ${i}" } }`);
      made += 1;
    }
  }
  lines.push('on_failure:', '  - uses: lb.restore');
  return `${lines.join('\n')}\n`;
}
