#!/usr/bin/env node
// Converts Kubernetes' OpenAPI v2 document (api/openapi-spec/swagger.json of the k8s.io/kubernetes
// Go module) into the JSON-schema layout kubeconform reads offline:
//
//   <out>/v<version>-standalone-strict/<kind>-<group>-<version>.json   (core group: <kind>-<version>.json)
//
// "standalone": every $ref is inlined, so one file validates one kind without any other file.
// "strict":     every object schema that lists its properties rejects properties it does not list
//               (additionalProperties: false), which is what catches a misspelt or misplaced key.
// Optional properties also accept null (the API server treats `key: null` as "unset"); required ones
// do not. IntOrString accepts a string or an integer; Quantity a string or a number.
//
// Usage: node k8s-openapi-to-jsonschema.mjs <swagger.json> <out-dir> <kubernetes-version, e.g. 1.36.3>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [swaggerPath, outDir, k8sVersion] = process.argv.slice(2);
if (!swaggerPath || !outDir || !/^\d+\.\d+\.\d+$/.test(k8sVersion ?? '')) {
  console.error('usage: k8s-openapi-to-jsonschema.mjs <swagger.json> <out-dir> <X.Y.Z>');
  process.exit(2);
}

const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8'));
const definitions = swagger.definitions ?? {};
const REF_PREFIX = '#/definitions/';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Keys of OpenAPI v2 that JSON schema validators either ignore or misread; dropped from the output. */
const DROP_KEYS = new Set(['x-kubernetes-group-version-kind']);

function special(name) {
  if (name === INT_OR_STRING) return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  if (name === QUANTITY) return { oneOf: [{ type: 'string' }, { type: 'number' }] };
  return undefined;
}

/** Resolves one schema node; `stack` holds the definitions being expanded (recursion is cut to `{}`). */
function resolve(node, stack) {
  if (Array.isArray(node)) return node.map((n) => resolve(n, stack));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    if (!node.$ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${node.$ref}`);
    const name = node.$ref.slice(REF_PREFIX.length);
    const fixed = special(name);
    if (fixed) return structuredClone(fixed);
    if (stack.includes(name)) return {}; // recursive type (e.g. JSONSchemaProps): accept anything below
    const target = definitions[name];
    if (!target) throw new Error(`dangling $ref ${node.$ref}`);
    const expanded = resolve(target, [...stack, name]);
    // keep a description written next to the $ref
    if (node.description && !expanded.description) expanded.description = node.description;
    return expanded;
  }
  if (node.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP_KEYS.has(key)) continue;
    if (key === 'properties') {
      const required = new Set(node.required ?? []);
      out.properties = {};
      for (const [prop, schema] of Object.entries(value)) {
        const resolved = resolve(schema, stack);
        out.properties[prop] = required.has(prop) ? resolved : nullable(resolved);
      }
    } else {
      out[key] = resolve(value, stack);
    }
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function nullable(schema) {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.oneOf)) return { ...schema, oneOf: [...schema.oneOf, { type: 'null' }] };
  return schema;
}

const dir = join(outDir, `v${k8sVersion}-standalone-strict`);
mkdirSync(dir, { recursive: true });
let written = 0;
for (const [name, def] of Object.entries(definitions)) {
  const gvks = def['x-kubernetes-group-version-kind'];
  if (!Array.isArray(gvks) || name.startsWith('io.k8s.apimachinery.')) continue;
  for (const { group, version, kind } of gvks) {
    const schema = resolve(def, [name]);
    const apiVersion = group ? `${group}/${version}` : version;
    schema.$schema = 'http://json-schema.org/draft-07/schema#';
    if (schema.properties?.apiVersion) schema.properties.apiVersion = { type: 'string', enum: [apiVersion] };
    if (schema.properties?.kind) schema.properties.kind = { type: 'string', enum: [kind] };
    const suffix = group ? `-${group.split('.')[0].toLowerCase()}-${version.toLowerCase()}` : `-${version.toLowerCase()}`;
    writeFileSync(join(dir, `${kind.toLowerCase()}${suffix}.json`), JSON.stringify(schema));
    written++;
  }
}
if (written < 50) throw new Error(`only ${written} kinds found in ${swaggerPath}: is this Kubernetes' swagger.json?`);
console.log(`wrote ${written} schemas to ${dir}`);
