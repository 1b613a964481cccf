import pytest
from django.core.exceptions import ValidationError

from credfile.customers.services import customer_create


@pytest.mark.django_db
def test_an_account_manager_opens_a_file(personas):
    c = customer_create(actor=personas.account_manager, fields={"kind": "organization", "name": "北京星辰科技有限公司", "credit_code": "91110000600037341L", "phone": "13812345678"})
    assert c.code.startswith("C")
    assert c.phone == "+8613812345678"
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=personas.account_manager, fields={"kind": "individual", "name": "张三", "id_number": "110105194912310021"})
    assert "id_number" in exc.value.message_dict
