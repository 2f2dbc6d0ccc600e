// Small PMML documents for the compiler-side tests (front end, module, CLI, server).
// Their results follow from the PMML spec by hand: y = intercept + Σ coefficient·x.

/**
 * XML attribute text: names are data and may hold anything. Line breaks and tabs are
 * written as they are (an XML processor may normalise them to spaces: compare names
 * with `sameName`).
 */
export function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Names equal up to XML attribute-value normalisation (whitespace characters as spaces). */
export function sameName(a: string, b: string): boolean {
  return a.replace(/[\n\r\t]/g, ' ') === b.replace(/[\n\r\t]/g, ' ');
}

export interface LinearOptions {
  readonly x?: string;
  readonly color?: string;
  readonly y?: string;
  readonly modelName?: string;
  /** Output fields: [name, feature] (feature predictedValue reads the target). */
  readonly outputs?: readonly string[];
  /** ModelVerification rows: [x, color, y]. */
  readonly verification?: readonly (readonly [string, string, string])[];
  readonly precision?: number;
}

/**
 * A RegressionModel: y = 1 + 2·x + (10 if color is "red", 20 if "blue"); color has the
 * valid values red and blue (another value is invalid: returnInvalid, the default).
 */
export function linearPmml(o: LinearOptions = {}): string {
  const x = xmlAttr(o.x ?? 'x');
  const color = xmlAttr(o.color ?? 'color');
  const y = xmlAttr(o.y ?? 'y');
  const outputs = o.outputs === undefined ? '' : `<Output>${o.outputs.map((n) => `<OutputField name="${xmlAttr(n)}" optype="continuous" dataType="double" feature="predictedValue"/>`).join('')}</Output>`;
  const verification = o.verification === undefined ? '' : `
    <ModelVerification recordCount="${o.verification.length}" fieldCount="3">
      <VerificationFields>
        <VerificationField field="${x}" column="vx"/>
        <VerificationField field="${color}" column="vcolor"/>
        <VerificationField field="${y}" column="vy" precision="${o.precision ?? 1e-9}" zeroThreshold="1e-12"/>
      </VerificationFields>
      <InlineTable>
        ${o.verification.map(([a, b, c]) => `<row><vx>${a}</vx><vcolor>${b}</vcolor><vy>${c}</vy></row>`).join('\n        ')}
      </InlineTable>
    </ModelVerification>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header copyright="test"><Application name="mlcompile tests" version="1"/></Header>
  <DataDictionary numberOfFields="3">
    <DataField name="${x}" optype="continuous" dataType="double"/>
    <DataField name="${color}" optype="categorical" dataType="string"><Value value="red"/><Value value="blue"/></DataField>
    <DataField name="${y}" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression"${o.modelName === undefined ? '' : ` modelName="${xmlAttr(o.modelName)}"`}>
    <MiningSchema>
      <MiningField name="${x}"/>
      <MiningField name="${color}"/>
      <MiningField name="${y}" usageType="target"/>
    </MiningSchema>${outputs}
    <RegressionTable intercept="1">
      <NumericPredictor name="${x}" coefficient="2"/>
      <CategoricalPredictor name="${color}" value="red" coefficient="10"/>
      <CategoricalPredictor name="${color}" value="blue" coefficient="20"/>
    </RegressionTable>${verification}
  </RegressionModel>
</PMML>
`;
}

/** y for x and color by the model's formula. */
export function linearY(x: number, color: 'red' | 'blue'): number {
  return 1 + 2 * x + (color === 'red' ? 10 : 20);
}

/**
 * A classification TreeModel on one numeric field: x <= 0 → "neg" (probabilities 0.8/0.2),
 * else "pos" (0.1/0.9); no Output element, so the results are the target and probability(<class>).
 */
export function treePmml(): string {
  return `<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary numberOfFields="2">
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="label" optype="categorical" dataType="string"><Value value="neg"/><Value value="pos"/></DataField>
  </DataDictionary>
  <TreeModel functionName="classification" modelName="signs" splitCharacteristic="binarySplit">
    <MiningSchema><MiningField name="x"/><MiningField name="label" usageType="target"/></MiningSchema>
    <Node id="0" score="neg"><True/>
      <Node id="1" score="neg" recordCount="10"><SimplePredicate field="x" operator="lessOrEqual" value="0"/>
        <ScoreDistribution value="neg" recordCount="8"/><ScoreDistribution value="pos" recordCount="2"/></Node>
      <Node id="2" score="pos" recordCount="10"><SimplePredicate field="x" operator="greaterThan" value="0"/>
        <ScoreDistribution value="neg" recordCount="1"/><ScoreDistribution value="pos" recordCount="9"/></Node>
    </Node>
  </TreeModel>
</PMML>
`;
}
