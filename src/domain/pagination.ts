import { AppError } from './errors.ts';

export type SortOrder = 'asc' | 'desc';

/** The query parameters every Diga list operation takes. */
export interface PageParams {
  after?: string | null;
  before?: string | null;
  page?: number | null;
  limit: number;
  order: SortOrder;
}

export interface Page<T> {
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
  current_page: number | null;
  total_pages: number | null;
}

/** Cursors and page numbers are alternatives; combining them has no meaning. */
export function checkPageParams(params: PageParams): void {
  if (params.after && params.before) {
    throw new AppError('INVALID_PAGINATION_PARAMETERS', "Cannot specify both 'before' and 'after' parameters");
  }
  if ((params.after || params.before) && params.page != null) {
    throw new AppError('INVALID_PAGINATION_PARAMETERS', "Cannot specify 'page' together with 'before' or 'after'");
  }
  // The validator's integer check lets page=1e309 (Infinity) and 1e20 through: no OFFSET or
  // JSON reply can carry them, so they are refused rather than becoming a 500.
  if (params.page != null && !Number.isSafeInteger(params.page)) {
    throw new AppError('INVALID_PAGINATION_PARAMETERS', "'page' must be an integer no greater than 9007199254740991");
  }
}

export function mapPage<A, B>(page: Page<A>, map: (item: A) => B): Page<B> {
  return { ...page, data: page.data.map(map) };
}

/** Paginates an in-memory list already sorted in ascending order (catalogues, not tables). */
export function paginateList<T>(items: readonly T[], params: PageParams, idOf: (item: T) => string): Page<T> {
  checkPageParams(params);
  const ordered = params.order === 'desc' ? [...items].reverse() : [...items];
  let start = 0;
  let end = ordered.length;
  if (params.after || params.before) {
    const cursor = ordered.findIndex((item) => idOf(item) === (params.after ?? params.before));
    if (cursor < 0) throw new AppError('INVALID_PAGINATION_PARAMETERS', 'Pagination cursor not found');
    if (params.after) start = cursor + 1;
    else { end = cursor; start = Math.max(0, cursor - params.limit); }
  } else {
    start = ((params.page ?? 1) - 1) * params.limit;
  }
  const data = ordered.slice(start, Math.min(end, start + params.limit));
  const hasMore = params.before ? start > 0 : start + data.length < ordered.length;
  return {
    data,
    first_id: data.length ? idOf(data[0]) : null,
    last_id: data.length ? idOf(data[data.length - 1]) : null,
    has_more: hasMore,
    current_page: params.after || params.before ? null : (params.page ?? 1),
    total_pages: Math.ceil(ordered.length / params.limit),
  };
}
