"""Shared by the model generators of tests/models."""


def pin_input_dims(model, inputs) -> None:
    """Give the dims the converters leave unknown (the batch) the size of
    the data set, so that the model compiles as it is, without --shape: the
    strict and cross checks compile every model of tests/models that way."""
    inits = {i.name for i in model.graph.initializer}
    fed = [vi for vi in model.graph.input if vi.name not in inits]
    for vi, array in zip(fed, inputs):
        for dim, size in zip(vi.type.tensor_type.shape.dim, array.shape):
            if not dim.HasField("dim_value"):
                dim.dim_value = size
