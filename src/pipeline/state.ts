import { createHash } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import type { SourceState } from "../extract/extractor.js";
import { DataError } from "../util/errors.js";

export const STATE_ENGINE_VERSION = 1;

/** The pipeline state, shaped like dlt's (camelCase keys where dlt has snake_case ones). */
export interface PipelineState {
  pipelineName: string;
  datasetName: string;
  destinationName?: string;
  defaultSchemaName?: string;
  schemaNames: string[];
  sources: Record<string, SourceState>;
  _stateVersion: number;
  _versionHash: string;
  _stateEngineVersion: number;
  /** Never synced to the destination. */
  _local?: { firstRun?: boolean; lastExtractedAt?: string; lastLoadId?: string };
}

export function newState(pipelineName: string, datasetName: string): PipelineState {
  const s: PipelineState = {
    pipelineName,
    datasetName,
    schemaNames: [],
    sources: {},
    _stateVersion: 0,
    _versionHash: "",
    _stateEngineVersion: STATE_ENGINE_VERSION,
    _local: { firstRun: true },
  };
  s._versionHash = stateHash(s);
  return s;
}

/** A parsed `state.json` (working dir or package) as PipelineState, or a DataError naming the file. */
export function parseState(value: unknown, file: string): PipelineState {
  const v = value as Partial<PipelineState> | null;
  if (
    v === null ||
    typeof v !== "object" ||
    typeof v.pipelineName !== "string" ||
    typeof v._stateVersion !== "number" ||
    !Array.isArray(v.schemaNames) ||
    typeof v.sources !== "object"
  ) {
    throw new DataError(`${file} is not a pipeline state (pipelineName, _stateVersion, schemaNames and sources expected)`, {
      hint: "the file is damaged; remove it to start from the destination's state",
    });
  }
  return v as PipelineState;
}

/** Hash of what is synced: everything but `_local` and the version fields themselves. */
export function stateHash(s: PipelineState): string {
  const { _local, _versionHash, _stateVersion, ...synced } = s;
  return createHash("sha256").update(JSON.stringify(synced)).digest("base64url").slice(0, 44);
}

/** Bump the version when the content changed; returns true if it did. */
export function bumpVersion(s: PipelineState): boolean {
  const h = stateHash(s);
  if (h === s._versionHash) return false;
  s._versionHash = h;
  s._stateVersion++;
  return true;
}

/** dlt's remote encoding: base64(zlib(json)). */
export function encodeState(s: PipelineState): string {
  const { _local, ...synced } = s;
  return deflateSync(Buffer.from(JSON.stringify(synced)), { level: 9 }).toString("base64");
}

export function decodeState(encoded: string): PipelineState {
  return JSON.parse(inflateSync(Buffer.from(encoded, "base64")).toString("utf8")) as PipelineState;
}
