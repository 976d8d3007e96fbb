/**
 * The library never assigns to a method of an object it does not own (a reader, a provider, an
 * exporter): OTel-native means the spec's extension points, not patched instances. Every file in
 * `src/` is parsed and every assignment whose target is a property named like a method of
 * `MetricReader`, `MeterProvider`, `PushMetricExporter` or `MetricProducer` is reported, as is
 * `Object.defineProperty` / `Object.assign` on anything but a fresh object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/backends.js';

const SDK_METHODS = new Set([
  'collect',
  'shutdown',
  'forceFlush',
  'export',
  'getMeter',
  'setMetricProducer',
  'selectAggregation',
  'selectAggregationTemporality',
  'selectCardinalityLimit',
  'onShutdown',
  'onForceFlush',
  'addMetricReader',
]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Assignments to SDK method names, and defineProperty/assign calls, as `line: text`. */
export function patches(source: string, fileName = 'x.ts'): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${line + 1}: ${node.getText().split('\n')[0]}`);
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      const left = node.left;
      const name = ts.isPropertyAccessExpression(left)
        ? left.name.text
        : ts.isElementAccessExpression(left) && ts.isStringLiteral(left.argumentExpression)
          ? left.argumentExpression.text
          : undefined;
      if (name !== undefined && SDK_METHODS.has(name)) report(node);
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.expression.getText() === 'Object' &&
      ['defineProperty', 'defineProperties', 'setPrototypeOf'].includes(node.expression.name.text)
    ) {
      report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('no patched readers or providers', () => {
  it('the check finds the patch the library used to apply (reader.collect = …)', () => {
    const before = `class PublishingMetricsCollector {
      attach(reader: MetricReader): void {
        const collect = reader.collect.bind(reader);
        reader.collect = async (options) => this.finishCollection(await collect(options));
      }
    }`;
    expect(patches(before)).toEqual([
      '4: reader.collect = async (options) => this.finishCollection(await collect(options))',
    ]);
    expect(
      patches(`Object.defineProperty(provider, 'getMeter', { value: () => meter });`),
    ).toHaveLength(1);
  });

  it('no file in src/ assigns to a method of a reader, provider, exporter or producer', () => {
    const found = files(join(REPO_ROOT, 'src')).flatMap((file) =>
      patches(readFileSync(file, 'utf8'), file).map((p) => `${relative(REPO_ROOT, file)}:${p}`),
    );
    expect(found).toEqual([]);
  });
});
