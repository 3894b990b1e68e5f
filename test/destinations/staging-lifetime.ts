import type { UriBucket } from "../../src/destinations/staging.js";
import { StagingBucket } from "../../src/destinations/staging.js";

/**
 * A destination's staging bucket for lifetime tests: every open wraps the real bucket (s3rver,
 * the GCS emulator) in a handle of its own that refuses any use after its close(), as the
 * `Bucket` contract says (the S3 SDK itself works on after destroy() between requests, but
 * aborts the requests in flight: that is the failure a shared bucket closed under a load gives).
 * `holdNextUpload` stops the next upload until released, so a test can close one client while
 * another client's upload is in flight.
 */
export class WatchedStaging {
  opened = 0;
  closed = 0;
  private hold: { started: () => void; released: Promise<void> } | undefined;

  constructor(
    private readonly display: string,
    private readonly open: () => Promise<UriBucket>,
  ) {}

  bucket(): StagingBucket {
    return new StagingBucket(this.display, async () => this.handle(await this.open()));
  }

  holdNextUpload(): { started: Promise<void>; release: () => void } {
    let started!: () => void;
    let release!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const released = new Promise<void>((r) => (release = r));
    this.hold = { started, released };
    return { started: startedP, release };
  }

  private handle(inner: UriBucket): UriBucket {
    this.opened++;
    let closed = false;
    const live = (what: string) => {
      if (closed) throw new Error(`${what} on a staging bucket handle that was closed`);
    };
    return {
      display: inner.display,
      uri: (key) => inner.uri(key),
      list: async (prefix) => (live("list"), inner.list(prefix)),
      readText: async (key) => (live("readText"), inner.readText(key)),
      writeText: async (key, text) => (live("writeText"), inner.writeText(key, text)),
      localPath: async (key, dir) => (live("localPath"), inner.localPath(key, dir)),
      delete: async (keys) => (live("delete"), inner.delete(keys)),
      upload: async (key, path) => {
        live("upload");
        const hold = this.hold;
        if (hold) {
          this.hold = undefined;
          hold.started();
          await hold.released;
          live("an upload in flight");
        }
        return inner.upload(key, path);
      },
      close: async () => {
        closed = true;
        this.closed++;
        await inner.close();
      },
    };
  }
}
