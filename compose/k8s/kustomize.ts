/**
 * `kustomize build` for the subset of Kustomize that compose/k8s uses, so that the tests can check
 * what an overlay really produces without the kustomize binary (not installed here).
 *
 * Supported kustomization fields: `resources` (YAML files and directories holding a
 * kustomization.yaml), `namespace`, `labels` (pairs, metadata only), `images` (newName/newTag) and
 * `patches` as JSON 6902 operations with an explicit `target` (kind, name). Anything else is an
 * error, so a field this renderer would silently ignore cannot creep into the manifests; a patch
 * whose target matches no object, or whose operation fails, is an error too (as in kustomize).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";

/** One Kubernetes object as parsed from YAML. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
};

/** Where an object came from (file), for error messages. */
export type Rendered = { source: string; object: K8sObject };

type PatchOp = { op: "add" | "replace" | "remove" | "test"; path: string; value?: unknown };

type Kustomization = {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
};

const SUPPORTED = new Set(["apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"]);
const CLUSTER_SCOPED = new Set(["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "StorageClass"]);

/** Every YAML document of a file (empty documents skipped); throws on a YAML error, naming the file. */
export function readYamlFile(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { prettyErrors: true });
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS({ maxAliasCount: 0 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** The kustomization.yaml of `dir`, checked to use only the supported fields. */
export function readKustomization(dir: string): Kustomization {
  const file = join(dir, "kustomization.yaml");
  const k = parseYaml(readFileSync(file, "utf8")) as Record<string, unknown>;
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new Error(`${file}: field "${key}" is not supported by compose/k8s/kustomize.ts`);
  }
  return k as Kustomization;
}

/** Render the kustomization in `dir` (like `kustomize build dir`): its objects, in resource order. */
export function build(dir: string): Rendered[] {
  const k = readKustomization(dir);
  let out: Rendered[] = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new Error(`${join(dir, "kustomization.yaml")}: resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) out.push(...build(path));
    else out.push(...readYamlFile(path).map((object) => ({ source: path, object: object as K8sObject })));
  }
  out = out.map((r) => ({ ...r, object: structuredClone(r.object) }));
  for (const { target, patch } of k.patches ?? []) {
    const hits = out.filter((r) => r.object.kind === target.kind && r.object.metadata?.name === target.name);
    if (hits.length === 0) throw new Error(`${dir}: patch target ${target.kind}/${target.name} matches no object`);
    const ops = parseYaml(patch) as PatchOp[];
    for (const hit of hits) for (const op of ops) applyOp(hit.object, op, `${target.kind}/${target.name}`);
  }
  for (const set of k.labels ?? []) {
    if (set.includeSelectors || set.includeTemplates) throw new Error(`${dir}: labels with includeSelectors/includeTemplates`);
    for (const r of out) r.object.metadata.labels = { ...r.object.metadata.labels, ...set.pairs };
  }
  for (const image of k.images ?? []) for (const r of out) retag(r.object, image);
  if (k.namespace) {
    for (const r of out) if (!CLUSTER_SCOPED.has(r.object.kind)) r.object.metadata.namespace = k.namespace;
  }
  return out;
}

/** Apply one JSON 6902 operation (add, replace, remove, test) in place; throws when the path is not there. */
export function applyOp(doc: unknown, op: PatchOp, what: string): void {
  const keys = op.path
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  const last = keys.pop();
  if (last === undefined) throw new Error(`${what}: patch path "${op.path}" is empty`);
  let parent: any = doc;
  for (const key of keys) {
    parent = Array.isArray(parent) ? parent[Number(key)] : parent?.[key];
    if (parent === undefined || parent === null) throw new Error(`${what}: ${op.op} ${op.path}: no such path`);
  }
  const has = Array.isArray(parent) ? Number(last) < parent.length : Object.hasOwn(parent, last);
  if (op.op !== "add" && !has) throw new Error(`${what}: ${op.op} ${op.path}: no such path`);
  if (op.op === "test") {
    if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new Error(`${what}: test ${op.path} failed`);
  } else if (op.op === "remove") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (op.op === "add" && Array.isArray(parent)) {
    parent.splice(last === "-" ? parent.length : Number(last), 0, structuredClone(op.value));
  } else if (op.op === "add" || op.op === "replace") {
    parent[last] = structuredClone(op.value);
  } else {
    throw new Error(`${what}: operation "${(op as PatchOp).op}" is not supported`);
  }
}

/**
 * kustomize's images transformer: `name[:tag]` in any container or init container becomes newName:newTag,
 * in a workload's pod template or a CronJob's job template.
 */
function retag(object: K8sObject, image: { name: string; newName?: string; newTag?: string }): void {
  const spec = (object.spec as any)?.template?.spec ?? (object.spec as any)?.jobTemplate?.spec?.template?.spec;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const ref = String(c.image);
    const colon = ref.lastIndexOf(":");
    const [name, tag] = colon > ref.lastIndexOf("/") ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
    if (name !== image.name) continue;
    const newTag = image.newTag ?? tag;
    c.image = `${image.newName ?? name}${newTag ? `:${newTag}` : ""}`;
  }
}
