export type {
  Connector, ConnectorOptions, FeedDocument, FetchContext, FetchSummary, ParsedRecord, ParseOutcome, RecordError,
} from './connector.js';
export { FeedError, isFeedError, type FeedErrorCode } from './errors.js';
export { createHttpClient, httpStatusOf, HttpStatusError, type DownloadResult, type HttpClient, type HttpClientOptions, type HttpResponse, type RequestOptions } from './http.js';
export { localSourceKind, openLocalSource, zipEntries, type LocalItem, type LocalSourceKind, type LocalSourceOptions } from './local.js';
export {
  backoffAfter, runSource, STAGES,
  type MapSummary, type ParseSummary, type RunSourceOptions, type RunSourceResult, type Stage,
} from './pipeline.js';
export { runMerge, type MergeRunOptions, type MergeRunResult } from './merge-run.js';
export { CONNECTORS, getConnector } from './registry.js';
export { packageQuery, type PackageQuery } from './search.js';
export {
  feedStatus, resolveAdvisoryKeys, searchAdvisories,
  type AdvisorySearchResult, type AdvisorySearchRow, type FeedSourceStatus, type FeedStatus,
} from './lookup.js';
