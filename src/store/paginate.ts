import { sql, type SelectQueryBuilder } from 'kysely';
import { AppError } from '../domain/errors.ts';
import { checkPageParams, type Page, type PageParams } from '../domain/pagination.ts';

export interface KeysetColumns {
  /** Column that orders the list, e.g. `calls.created_date`. */
  sort: string;
  /** Unique column that breaks ties and identifies cursors, e.g. `calls.id`. */
  id: string;
}

// The base query carries the filters (project scope first); this adds ordering, cursors,
// page offsets and the total count. Generic over tables, so it works on untyped columns.
export async function paginate<Row extends { id: string }>(
  base: SelectQueryBuilder<any, any, any>,
  columns: KeysetColumns,
  params: PageParams,
): Promise<Page<Row>> {
  checkPageParams(params);
  const cursorId = params.after ?? params.before ?? null;
  const forward = !params.before;
  // Walking backwards from a `before` cursor reads the list in reverse, then flips it.
  const direction = (params.order === 'desc') === forward ? 'desc' : 'asc';

  let query = base.selectAll();
  if (cursorId) {
    const cursor = await base
      .select([sql.ref(columns.sort).as('sort_value')])
      .where(sql.ref(columns.id), '=', cursorId)
      .executeTakeFirst();
    if (!cursor) throw new AppError('INVALID_PAGINATION_PARAMETERS', `Cursor ${cursorId} not found`);
    const op = direction === 'desc' ? '<' : '>';
    query = query.where((eb: any) =>
      eb.or([
        eb(sql.ref(columns.sort), op, cursor.sort_value),
        eb.and([eb(sql.ref(columns.sort), '=', cursor.sort_value), eb(sql.ref(columns.id), op, cursorId)]),
      ]),
    );
  }
  const offset = cursorId ? 0 : ((params.page ?? 1) - 1) * params.limit;
  // A page past any storable row (page=1e20) is empty; both engines reject such an OFFSET (a 500).
  const rows = !Number.isSafeInteger(offset) ? [] : (await query
    .orderBy(sql.ref(columns.sort), direction)
    .orderBy(sql.ref(columns.id), direction)
    .limit(params.limit + 1)
    .offset(offset)
    .execute()) as Row[];

  const hasMore = rows.length > params.limit;
  const data = rows.slice(0, params.limit);
  if (!forward) data.reverse();
  const counted = await base.select((eb: any) => eb.fn.countAll().as('total')).executeTakeFirst();
  const total = Number(counted?.total ?? 0);
  return {
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: hasMore,
    current_page: cursorId ? null : (params.page ?? 1),
    total_pages: Math.ceil(total / params.limit),
  };
}
