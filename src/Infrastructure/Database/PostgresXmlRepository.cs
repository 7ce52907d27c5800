using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>
/// Keeps the Data Protection key ring in PostgreSQL, so that every instance shares it and neither a
/// restart nor a deploy to another folder loses a key. The interface is synchronous.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    private const string AllKeysSql = "select xml from data_protection_keys order by created_at, friendly_name";

    private const string StoreKeySql = """
        insert into data_protection_keys (friendly_name, xml) values (@friendlyName, @xml)
        on conflict (friendly_name) do nothing
        """;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<string>(AllKeysSql).Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource.OpenConnection();
        connection.Execute(StoreKeySql, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
