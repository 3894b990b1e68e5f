import { logger } from "../../util/logger.js";
import type { LoadRequest } from "../destination.js";
import type { PgSession } from "../postgres/session.js";
import type { SqlDialect } from "../sql/dialect.js";
import { SqlJobClient } from "../sql/job-client.js";
import type { FileStager } from "../staging.js";

const log = logger("destinations:redshift");

/**
 * The shared SQL client with `staging = "filesystem"`: the dialect's COPYs stage through
 * `stager` (this client's own), the package's folder in the bucket is removed once the package
 * committed, and the stager's bucket connection closes with the client.
 */
export class RedshiftStagingClient extends SqlJobClient<PgSession> {
  constructor(
    datasetName: string,
    conn: PgSession,
    dialect: SqlDialect<PgSession>,
    private readonly stager: FileStager,
  ) {
    super(datasetName, conn, dialect);
  }

  override async load(req: LoadRequest): Promise<void> {
    await super.load(req);
    // Committed now or by an earlier run: the staged files are no longer needed. A failure leaves
    // them behind (a warning): the data is in.
    await this.stager.cleanup(this.datasetName, req.loadId).catch((err: unknown) => {
      log.warn(
        `could not remove the staged files under ${this.stager.display}/${this.stager.folder(this.datasetName, req.loadId)}/ after the load: ${(err as Error).message}`,
      );
    });
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.stager.close();
    }
  }
}
