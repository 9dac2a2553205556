// v6's `imagekit/dist/libs/interfaces/CustomMetatadaField`: the names it exports, declared in the package's index.d.ts.
export type {
  CreateCustomMetadataFieldOptions,
  CustomMetadataField,
  CustomMetadataFieldSchema,
  CustomMetadataFieldSchemaMinusType,
  GetCustomMetadataFieldsOptions,
  UpdateCustomMetadataFieldOptions,
} from '../../../index'
