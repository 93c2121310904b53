import { Type } from 'typebox';
import { Nullable, Uuid } from '../../schemas/common.ts';

const name = () => Type.String({ title: 'Project Name', description: 'The name of the project' });
const description = () =>
  Type.Optional(Nullable(Type.String(), { title: 'Project Description', description: 'A brief description of the project' }));

export const CreateProjectRequest = Type.Object({ name: name(), description: description() }, { title: 'CreateProjectRequest' });

export const UpdateProjectRequest = Type.Object(
  { name: Type.Optional(name()), description: description() },
  { title: 'UpdateProjectRequest' },
);

export const ProjectResponse = Type.Object(
  {
    id: Uuid({ title: 'Project ID', description: 'Unique identifier for the project' }),
    name: name(),
    description: description(),
    members_count: Type.Integer({ title: 'Members Count', description: 'Number of members associated with the project' }),
  },
  { title: 'ProjectResponseSchema' },
);
